package ollama

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/ollama/ollama/envconfig"

	"github.com/aiex-dev/aiex/providers"
)

// ErrBadHost is matched (errors.Is) by New's error when OLLAMA_HOST names
// no address Ollama would use as written; the error is a *HostError.
var ErrBadHost = errors.New("ollama: OLLAMA_HOST is not an Ollama address")

// HostError is New's error for an OLLAMA_HOST it refuses. Its message is
// one sentence meant for the user, naming the variable, its value (without
// a password) and what to give instead; the caller decides what kind of
// failure it is (aiex: a usage error).
type HostError struct {
	Value  string // OLLAMA_HOST, credentials redacted
	Reason error  // what is wrong with it
}

func (e *HostError) Error() string {
	return fmt.Sprintf("OLLAMA_HOST %q is not an Ollama address: %v; give host, host:port or http(s)://host:port, e.g. 127.0.0.1:11434",
		e.Value, e.Reason)
}

func (e *HostError) Is(target error) bool { return target == ErrBadHost }

// envHost is the address OLLAMA_HOST names, read as Ollama reads it
// (envconfig.Host): a host, host:port or :port, with http:// or https://
// or without a scheme (http), the default port filling in what is left
// out. What Ollama would quietly turn into another address — a scheme it
// cannot speak (ftp://x became ftp://x:11434), a port out of range or not
// a number (replaced by the default), an unclosed IPv6 bracket
// (http://[::1 became http://[::1]:80) — is refused instead, as a
// base_url in the config is, with a *HostError.
func envHost() (*url.URL, error) {
	s := envconfig.Var("OLLAMA_HOST")
	if err := checkHost(s); err != nil {
		return nil, &HostError{Value: providers.RedactURLString(s), Reason: err}
	}
	return envconfig.Host(), nil
}

// checkHost says what is wrong with s as the value of OLLAMA_HOST, or nil
// when envconfig.Host reads it as written.
func checkHost(s string) error {
	if s == "" {
		return nil
	}
	scheme, hostport, ok := strings.Cut(s, "://")
	if ok && scheme != "http" && scheme != "https" {
		return fmt.Errorf("its scheme %s is not http or https", scheme)
	}
	if !ok {
		hostport = s
	}
	hostport, path, _ := strings.Cut(hostport, "/")
	if strings.Contains(hostport, "@") {
		return fmt.Errorf("it cannot hold a user name or password (a base_url in the config can)")
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: a bare host name or IP address, which Ollama gives
		// its default port.
		host, port = hostport, ""
		if ip := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"); ip != host {
			if len(ip) != len(host)-2 || net.ParseIP(ip) == nil {
				return fmt.Errorf("%s is not an IPv6 address in brackets", host)
			}
			host = ip
		} else if strings.ContainsAny(host, "[]") || strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return fmt.Errorf("%s is neither a host name nor an IP address", host)
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("its port %s is not a number from 1 to 65535", port)
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, "1"), Path: "/" + path}
	if _, err := url.Parse(u.String()); err != nil || strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%s is not a host name", host)
	}
	return nil
}
