// converge dnslink resolve DOMAIN: reads _dnslink.<domain> directly (c-ares;
// no daemon needed), following /ipns/<domain> links.
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "dnslink/dnslink.hpp"

namespace converge::cli {
namespace {

void setup_dnslink(CLI::App& app) {
  auto* dnslink = app.add_subcommand("dnslink", "DNSLink records");
  dnslink->require_subcommand(1);
  auto* resolve = dnslink->add_subcommand("resolve", "print the path a domain's _dnslink TXT record names");
  auto domain = std::make_shared<std::string>();
  auto server = std::make_shared<std::string>();
  resolve->add_option("domain", *domain, "e.g. docs.ipfs.tech")->required();
  resolve->add_option("--server", *server, "a DNS server ip:port instead of the system's");
  resolve->callback([domain, server] {
    dnslink::resolver_options o;
    if (!server->empty()) o.servers = {*server};
    auto r = unwrap(dnslink::txt_resolver::create(o));
    std::cout << unwrap(dnslink::resolve(*r, *domain)).to_string() << "\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("dnslink", setup_dnslink);
}  // namespace converge::cli
