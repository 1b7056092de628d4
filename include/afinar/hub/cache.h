/// Hugging Face Hub ids → local folders, through the HF cache layout
/// (<cache>/models--owner--name/{blobs,snapshots/<sha>,refs/<revision>}).
///
/// The cache folder honours HF_HUB_CACHE, then HF_HOME/hub, then ~/.cache/huggingface/hub.
/// A local folder is returned as it is. A repo id is looked up in the cache; when absent and
/// HF_HUB_OFFLINE is not set, it is downloaded from HF_ENDPOINT (default https://huggingface.co),
/// with `Authorization: Bearer $HF_TOKEN` when set. As huggingface_hub, each file lands in
/// blobs/<etag> and the snapshot holds a relative symlink to it; refs/<revision> is written last,
/// so an interrupted download is never served. A cut transfer resumes from <file>.incomplete
/// (HTTP Range); a file whose etag is a SHA-256 is checked against its bytes and fetched again
/// once on a mismatch; a listed file name that would leave the snapshot folder is refused.
///
///   fs::path dir = afinar::hub::resolve_repo("sentence-transformers/all-MiniLM-L6-v2");
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace afinar::hub {

namespace fs = std::filesystem;

enum class RepoType { Model, Dataset };

fs::path hub_cache_dir();
bool offline();
std::string endpoint();

/// "models--owner--name" / "datasets--owner--name".
std::string repo_folder_name(const std::string& repo_id, RepoType type);

/// The cached snapshot folder of `repo_id` at `revision` (a branch/tag in refs/, or a sha), if any.
std::optional<fs::path> cached_snapshot(const std::string& repo_id, RepoType type,
                                        const std::string& revision = "main");

/// A local folder → itself; a repo id → its snapshot folder (cache, else download).
/// Throws InvalidArgument when neither a folder nor a cached/downloadable repo.
fs::path resolve_repo(const std::string& name_or_path, RepoType type = RepoType::Model,
                      const std::string& revision = "main");

}  // namespace afinar::hub
