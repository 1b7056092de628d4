// `afinar hub`: download and upload Hub repos, as `huggingface-cli download|upload`.
//   afinar hub download sentence-transformers/all-MiniLM-L6-v2 --include "*.json"
//   afinar hub download rotten_tomatoes --repo-type dataset --revision main
//   afinar hub upload me/my-model out/ --commit-message "Add weights"
// download prints the local snapshot folder; upload prints the commit URL.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/hub/api.h"
#include "commands.h"

namespace afinar::cli {
namespace {

hub::RepoType repo_type(const std::string& s) {
  return s == "dataset" ? hub::RepoType::Dataset : hub::RepoType::Model;
}

struct DownloadArgs {
  std::string repo, repo_type = "model", revision = "main";
  std::vector<std::string> include;
};

struct UploadArgs {
  std::string repo, path, repo_type = "model", revision = "main", commit_message, path_in_repo;
  bool private_repo = false;
};

}  // namespace

void add_hub_command(CLI::App& app) {
  auto* h =
      app.add_subcommand("hub", "Download or upload Hugging Face Hub repos (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE)");
  h->require_subcommand(1);
  const std::vector<std::string> types = {"model", "dataset"};

  auto d = std::make_shared<DownloadArgs>();
  auto* dl = h->add_subcommand("download", "Download a repo snapshot into the HF cache and print its folder");
  dl->add_option("repo_id", d->repo, "owner/name")->required();
  dl->add_option("--repo-type,--repo_type", d->repo_type, "model | dataset")->check(CLI::IsMember(types));
  dl->add_option("--revision", d->revision, "branch, tag or commit sha (default main)");
  dl->add_option("--include", d->include, "glob(s) of the files to download (default: all)");
  dl->callback([d] {
    std::cout << hub::snapshot_download(d->repo, repo_type(d->repo_type), d->revision, d->include).string() << "\n";
  });

  auto u = std::make_shared<UploadArgs>();
  auto* up = h->add_subcommand("upload", "Upload a file or folder to a repo (created if needed) in one commit");
  up->add_option("repo_id", u->repo, "owner/name")->required();
  up->add_option("path", u->path, "a local file or folder")->required();
  up->add_option("--repo-type,--repo_type", u->repo_type, "model | dataset")->check(CLI::IsMember(types));
  up->add_option("--revision", u->revision, "the branch to commit to (default main)");
  up->add_option("--commit-message,--commit_message", u->commit_message, "the commit's summary");
  up->add_option("--path-in-repo,--path_in_repo", u->path_in_repo, "where the file/folder goes in the repo");
  up->add_flag("--private", u->private_repo, "create the repo private");
  up->callback([u] {
    const auto type = repo_type(u->repo_type);
    hub::create_repo(u->repo, type, u->private_repo, "", /*exist_ok=*/true);
    if (u->revision != "main") hub::create_branch(u->repo, type, u->revision);
    const auto info = hub::upload_folder(u->repo, type, u->path, u->path_in_repo, u->commit_message, u->revision);
    std::cout << info.commit_url << "\n";
  });
}

}  // namespace afinar::cli
