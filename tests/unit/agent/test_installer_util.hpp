#pragma once
// Shared by the installer tests: temporary directories, files, /bin/sh hook
// scripts and archives built with libarchive's writer (hostile ones included).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/installer.hpp"

namespace converge::agent::test {

namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "converge-inst-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = fs::canonical(tmpl);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline void write_text(const fs::path& p, const std::string& text, bool executable = false) {
  fs::create_directories(p.parent_path());
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(p.c_str(), executable ? 0755 : 0644);
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A /bin/sh script at p.
inline fs::path write_script(const fs::path& p, const std::string& body) {
  write_text(p, "#!/bin/sh\n" + body + "\n", true);
  return p;
}

inline std::size_t count_lines(const fs::path& p) {
  std::size_t n = 0;
  for (char c : read_text(p)) n += c == '\n';
  return n;
}

struct arc_entry {
  enum type_t { file, dir, symlink, hardlink, fifo } type = file;
  std::string path;
  std::string data;       // file contents, or the link target
  unsigned mode = 0644;
  std::int64_t declared_size = -1;   // file: the size in the header (-1: data.size())
};

inline arc_entry file_entry(std::string path, std::string data, unsigned mode = 0644) {
  return {arc_entry::file, std::move(path), std::move(data), mode, -1};
}
inline arc_entry dir_entry(std::string path) { return {arc_entry::dir, std::move(path), "", 0755, -1}; }
inline arc_entry link_entry(std::string path, std::string target) {
  return {arc_entry::symlink, std::move(path), std::move(target), 0777, -1};
}

// Writes an archive at out; the format and filter follow the file name
// (.tar, .tar.gz, .tar.zst, .zip), as the installer reads them.
inline void build_archive(const fs::path& out, const std::vector<arc_entry>& entries) {
  archive* a = archive_write_new();
  std::string name = out.filename().string();
  auto ends = [&](const std::string& s) { return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
  if (ends(".zip")) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (ends(".tar.gz") || ends(".tgz")) archive_write_add_filter_gzip(a);
    if (ends(".tar.zst")) archive_write_add_filter_zstd(a);
  }
  if (archive_write_open_filename(a, out.c_str()) != ARCHIVE_OK)
    throw std::runtime_error(std::string("archive open: ") + archive_error_string(a));
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    switch (e.type) {
      case arc_entry::file:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, e.declared_size >= 0 ? e.declared_size : static_cast<la_int64_t>(e.data.size()));
        break;
      case arc_entry::dir: archive_entry_set_filetype(ae, AE_IFDIR); break;
      case arc_entry::symlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.data.c_str());
        break;
      case arc_entry::hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.data.c_str());
        break;
      case arc_entry::fifo: archive_entry_set_filetype(ae, AE_IFIFO); break;
    }
    archive_entry_set_perm(ae, e.mode);
    if (archive_write_header(a, ae) != ARCHIVE_OK)
      throw std::runtime_error(std::string("archive header: ") + archive_error_string(a));
    if (e.type == arc_entry::file && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

inline install_request request(const std::string& hash, const fs::path& package, std::uint64_t seq = 1,
                               const std::string& target = "") {
  install_request r;
  r.release_hash = hash;
  r.channel = "stable";
  r.semver = "1.0." + std::to_string(seq);
  r.sequence = seq;
  r.package_path = package.string();
  r.target_path = target.empty() ? "linux/x86_64/" + package.filename().string() : target;
  r.os = "linux";
  r.arch = "x86_64";
  return r;
}

// True when no process with this pid is running (gone or a zombie).
// True once the process named by pid_text is gone or a zombie. SIGKILL sent to
// a process group is delivered asynchronously, so a killed child may still be
// running for a moment after kill() returns: wait for it (up to 30 s, a bound
// on a hang, not a timing claim) rather than look once.
inline bool process_gone_now(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

inline bool process_gone(const std::string& pid_text) {
  std::string pid = pid_text;
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  if (pid.empty()) return false;
  for (int i = 0; i < 3000; ++i) {
    if (process_gone_now(pid)) return true;
    ::usleep(10'000);
  }
  return false;
}

}  // namespace converge::agent::test
