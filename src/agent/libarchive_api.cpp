#include "agent/libarchive_api.hpp"

#include <dlfcn.h>

#include <string>

#include "agent/installer.hpp"

namespace converge::agent {
namespace {

// libarchive 3.x keeps ABI 13 (the soname since 3.0).
constexpr const char* library = "libarchive.so.13";

result<libarchive_api> load() {
  // Never closed: the table lives as long as the process.
  void* h = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char* why = ::dlerror();
    return fail(installer_errc::io, std::string("cannot load ") + library + " to unpack archives: " +
                                        (why ? why : "dlopen failed") + " (install libarchive13)");
  }
  libarchive_api api;
#define CONVERGE_LIBARCHIVE_RESOLVE(name)                                                        \
  api.name = reinterpret_cast<decltype(&::name)>(::dlsym(h, #name));                             \
  if (api.name == nullptr)                                                                      \
    return fail(installer_errc::io, std::string(library) + " has no " #name " (too old a libarchive)");
  CONVERGE_LIBARCHIVE_FUNCTIONS(CONVERGE_LIBARCHIVE_RESOLVE)
#undef CONVERGE_LIBARCHIVE_RESOLVE
  return api;
}

}  // namespace

result<const libarchive_api*> libarchive() {
  static const result<libarchive_api> loaded = load();
  if (!loaded) return fail(loaded.error());
  return &*loaded;
}

}  // namespace converge::agent
