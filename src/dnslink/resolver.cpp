// txt_resolver over c-ares: one channel, queries driven by a poll loop on the
// channel's sockets with the remaining time as the bound.
#include <ares.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <mutex>

#include "dnslink/dnslink.hpp"

namespace converge::dnslink {

namespace {
std::once_flag library_once;
int library_status = ARES_SUCCESS;

struct txt_answer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<std::string> txts;
};

void on_answer(void* arg, int status, int, unsigned char* abuf, int alen) {
  auto* a = static_cast<txt_answer*>(arg);
  a->done = true;
  a->status = status;
  if (status != ARES_SUCCESS) return;
  ares_txt_ext* reply = nullptr;
  a->status = ares_parse_txt_reply_ext(abuf, alen, &reply);
  if (a->status != ARES_SUCCESS) return;
  for (auto* t = reply; t != nullptr; t = t->next) {
    std::string part(reinterpret_cast<const char*>(t->txt), t->length);
    // A TXT record's character-strings are one value (record_start marks each record's first).
    if (t->record_start || a->txts.empty()) a->txts.push_back(std::move(part));
    else a->txts.back() += part;
    if (a->txts.size() > max_txt_entries) break;
  }
  ares_free_data(reply);
}
}  // namespace

struct txt_resolver::impl {
  ares_channel channel = nullptr;
  ~impl() {
    if (channel) ares_destroy(channel);
  }
};

txt_resolver::txt_resolver(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
txt_resolver::~txt_resolver() = default;

result<std::unique_ptr<txt_resolver>> txt_resolver::create(const resolver_options& o) {
  std::call_once(library_once, [] { library_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (library_status != ARES_SUCCESS)
    return fail(dnslink_errc::dns_failure, std::string("c-ares init: ") + ares_strerror(library_status));
  auto p = std::make_unique<impl>();
  ares_options opts{};
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  opts.timeout = static_cast<int>(o.timeout.count() / std::max(1, o.tries));
  opts.tries = std::max(1, o.tries);
  if (int rc = ares_init_options(&p->channel, &opts, mask); rc != ARES_SUCCESS)
    return fail(dnslink_errc::dns_failure, std::string("c-ares channel: ") + ares_strerror(rc));
  if (!o.servers.empty()) {
    std::string csv;
    for (const auto& s : o.servers) csv += (csv.empty() ? "" : ",") + s;
    if (int rc = ares_set_servers_ports_csv(p->channel, csv.c_str()); rc != ARES_SUCCESS)
      return fail(dnslink_errc::invalid_argument, "DNS servers \"" + csv + "\": " + ares_strerror(rc));
  }
  std::unique_ptr<txt_resolver> r(new txt_resolver(std::move(p)));
  r->timeout_ = o.timeout;
  return r;
}

result<std::vector<std::string>> txt_resolver::query_txt(std::string_view name) {
  if (name.size() > 253 + 10) return fail(dnslink_errc::invalid_domain, "name too long");
  txt_answer answer;
  std::string n(name);
  ares_query(impl_->channel, n.c_str(), ns_c_in, ns_t_txt, on_answer, &answer);
  auto deadline = std::chrono::steady_clock::now() + timeout_ + std::chrono::milliseconds(500);
  while (!answer.done) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ares_cancel(impl_->channel);  // runs on_answer with ARES_ECANCELLED before returning
      return fail(dnslink_errc::timeout, "no answer for " + n + " within " + std::to_string(timeout_.count()) + " ms");
    }
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(impl_->channel, socks, ARES_GETSOCK_MAXNUM);
    std::vector<pollfd> fds;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short ev = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) ev |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) ev |= POLLOUT;
      if (ev) fds.push_back(pollfd{socks[i], ev, 0});
    }
    timeval max_tv{left.count() / 1000, static_cast<suseconds_t>((left.count() % 1000) * 1000)}, tv{};
    timeval* t = ares_timeout(impl_->channel, &max_tv, &tv);
    int wait_ms = static_cast<int>(t->tv_sec * 1000 + t->tv_usec / 1000);
    int rc = ::poll(fds.data(), fds.size(), std::max(wait_ms, 1));
    if (rc <= 0) {
      ares_process_fd(impl_->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      continue;
    }
    for (const auto& f : fds)
      ares_process_fd(impl_->channel, (f.revents & (POLLIN | POLLERR | POLLHUP)) ? f.fd : ARES_SOCKET_BAD,
                      (f.revents & POLLOUT) ? f.fd : ARES_SOCKET_BAD);
  }
  if (answer.status != ARES_SUCCESS)
    return fail(dnslink_errc::dns_failure, n + ": " + ares_strerror(answer.status));
  return std::move(answer.txts);
}

}  // namespace converge::dnslink
