/// The Hub's write API, as huggingface_hub.HfApi calls it: create a repo, commit files (one
/// atomic commit through POST /api/{models|datasets}/<id>/commit/<revision>, NDJSON lines: a
/// header with the summary, then one line per added file, base64-encoded, and per deleted
/// file), upload a folder; and snapshot_download with allow patterns.
///
/// Every Hub request sends `Authorization: Bearer <token>`, the token given or $HF_TOKEN.
/// As huggingface_hub, create_commit first asks the Hub (POST .../preupload/<rev>) how each file
/// goes: "regular" files inline in the commit (base64); "lfs" files (large or binary) through the
/// Git LFS batch API to the storage it names — one PUT, or multipart when the answer gives a
/// chunk_size — then verified, and the commit names them by sha256 (lfsFile lines). Objects the
/// Hub already holds are not sent again. Storage URLs are presigned and get no token.
///
///   afinar::hub::create_repo("me/ds", afinar::hub::RepoType::Dataset);
///   afinar::hub::create_commit("me/ds", afinar::hub::RepoType::Dataset,
///                              {{"README.md", "---\n---\n"}}, {}, "Add card");
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "afinar/hub/cache.h"

namespace afinar::hub {

struct CommitOperationAdd {
  std::string path_in_repo;
  std::string content;  ///< the file's bytes
};

struct CommitInfo {
  std::string commit_url;
  std::string oid;  ///< the new commit's sha
};

/// POST /api/repos/create {"name", "organization", "private", "type"}. An existing repo (409) is
/// fine when `exist_ok`. Returns the repo's URL. Throws InvalidArgument on 401/403 (naming the
/// token), FormatError on other failures.
std::string create_repo(const std::string& repo_id, RepoType type, bool private_repo = false,
                        const std::string& token = "", bool exist_ok = true);

/// POST /api/repos/<type>s/<id>/branch/<branch> (an existing branch is fine).
void create_branch(const std::string& repo_id, RepoType type, const std::string& branch, const std::string& token = "");

/// One commit adding `additions` and deleting `deletions` on `revision`. The Hub applies it as a
/// whole or not at all. Throws FormatError with the server's message on failure.
CommitInfo create_commit(const std::string& repo_id, RepoType type, const std::vector<CommitOperationAdd>& additions,
                         const std::vector<std::string>& deletions, const std::string& commit_message,
                         const std::string& revision = "main", const std::string& token = "");

/// The files of `path` (a folder, recursively, skipping .git and .cache/huggingface, or one file)
/// committed under `path_in_repo`, as HfApi.upload_folder / upload_file.
CommitInfo upload_folder(const std::string& repo_id, RepoType type, const fs::path& path,
                         const std::string& path_in_repo = "", const std::string& commit_message = "",
                         const std::string& revision = "main", const std::string& token = "");

/// The repo's file names at `revision` (GET /api/<type>s/<id>/revision/<rev>); empty when the
/// repo has no such revision.
std::vector<std::string> list_repo_files(const std::string& repo_id, RepoType type,
                                         const std::string& revision = "main", const std::string& token = "");

/// huggingface_hub.snapshot_download: asks the Hub for the revision's files and downloads those
/// matching any of `allow_patterns` (fnmatch, '*' also matches '/'; empty = all) into the cache
/// layout, skipping those already there; with HF_HUB_OFFLINE the cached snapshot is returned.
fs::path snapshot_download(const std::string& repo_id, RepoType type, const std::string& revision = "main",
                           const std::vector<std::string>& allow_patterns = {});

std::string base64_encode(std::string_view data);

}  // namespace afinar::hub
