package providers

import (
	"net"
	"strings"
)

// IsLocalHost reports whether host (a name or an IP address, without a
// port, as url.URL.Hostname returns it) is this machine or a private
// network: loopback, the unspecified address (0.0.0.0 and ::, which reach
// this machine when dialled), RFC 1918 and RFC 4193 addresses, link-local
// addresses, and "localhost" or a name under it (RFC 6761). Names are not
// resolved. It is the one rule for a server's being local: a local server
// is free and preferred by local_affinity, and its models show as local.
func IsLocalHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified())
}
