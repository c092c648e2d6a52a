#include "publish/car_merge.hpp"

#include <fstream>
#include <set>

#include "car/car.hpp"
#include "publish/errors.hpp"

namespace converge::publish {

namespace fs = std::filesystem;

result<car_stats> merge_cars(const std::vector<fs::path>& inputs, const std::vector<mf::cid>& roots,
                             const fs::path& out) {
  fs::path tmp = out;
  tmp += ".part";
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  if (!f) return fail(publish_errc::io, tmp.string() + ": cannot create");
  auto w = car::car_writer::create(roots, [&](bytes_view b) -> result<void> {
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    if (!f) return fail(publish_errc::io, tmp.string() + ": write failed");
    return ok();
  });
  if (!w) return fail(w.error());
  std::set<std::string> seen;
  bytes buf(256 * 1024);
  for (const auto& in_path : inputs) {
    std::ifstream in(in_path, std::ios::binary);
    if (!in) return fail(publish_errc::io, in_path.string() + ": cannot open");
    car::car_parser p;
    auto drain = [&]() -> result<void> {
      for (;;) {
        auto b = p.next();
        if (!b) return fail(publish_errc::io, in_path.string() + ": " + b.error().message());
        if (!*b) return ok();
        if (!seen.insert((*b)->id.to_string()).second) continue;
        if (auto a = w->add((*b)->id, (*b)->data); !a) return a;
      }
    };
    for (;;) {
      in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
      auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      if (auto fe = p.feed(bytes_view(buf).first(got)); !fe)
        return fail(publish_errc::io, in_path.string() + ": " + fe.error().message());
      if (auto d = drain(); !d) return fail(d.error());
    }
    if (auto fi = p.finish(); !fi) return fail(publish_errc::io, in_path.string() + ": " + fi.error().message());
    if (auto d = drain(); !d) return fail(d.error());
  }
  f.close();
  if (!f) return fail(publish_errc::io, tmp.string() + ": write failed");
  std::error_code ec;
  fs::rename(tmp, out, ec);
  if (ec) return fail(publish_errc::io, out.string() + ": " + ec.message());
  return car_stats{w->blocks_written(), w->bytes_written()};
}

}  // namespace converge::publish
