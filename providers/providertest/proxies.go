package providertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// ProxyAnswer is an HTTP error answer as a proxy, gateway or CDN in front of
// a provider writes it, in its own format rather than the provider's: what
// a client gets when the provider behind it cannot be reached.
type ProxyAnswer struct {
	Name   string
	Status int
	Header http.Header
	Body   string
	// Note is what providers.AnswerNote says of the answer.
	Note string
}

// cloudflare502 is the shape of Cloudflare's page for an origin that
// answered badly, cut to its structure: conditional comments, a long head
// with styles, the text spread over many elements.
const cloudflare502 = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>gw.example.com | 502: Bad gateway</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
<style>body{margin:0;padding:0}.cf-error-title{font-size:2rem}</style>
</head>
<body>
<div id="cf-wrapper">
    <div id="cf-error-details" class="p-0">
        <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
            <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
              <span class="inline-block">Bad gateway</span>
              <span class="code-label">Error code 502</span>
            </h1>
            <div>
               Visit <a href="https://www.cloudflare.com/5xx-error-landing?utm_source=errorcode_502&utm_campaign=gw.example.com" target="_blank" rel="noopener noreferrer">cloudflare.com</a> for more information.
            </div>
            <div class="mt-3">2025-11-27 21:58:33 UTC</div>
        </header>
        <div class="my-8 bg-gradient-gray">
            <div class="w-240 lg:w-full mx-auto">
                <div class="clearfix md:px-8">
<div id="cf-browser-status" class=" relative w-1/3 md:w-full py-15 md:p-0 md:py-8 md:text-left md:border-solid md:border-0 md:border-b md:border-gray-400 overflow-hidden float-left md:float-none text-center">
  <span class="md:block w-full truncate">You</span>
  <h3 class="md:inline-block mt-3 md:mt-0 text-2xl text-gray-600 font-light leading-1.3">Browser</h3>
  <span class="leading-1.3 text-2xl text-green-success">Working</span>
</div>
                </div>
            </div>
        </div>
        <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
  <p class="text-13">
    <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">8e7a1b2c3d4e5f60</strong></span>
    <span class="cf-footer-separator sm:hidden">&bull;</span>
  </p>
  <script>(function(){document.getElementById('cf-footer-item-ip').classList.remove('hidden')})();</script>
</div>
    </div>
</div>
</body>
</html>
`

// ProxyAnswers are error answers of common proxies and gateways, as they
// send them.
var ProxyAnswers = []ProxyAnswer{
	{
		Name:   "nginx 502",
		Status: http.StatusBadGateway,
		Header: http.Header{"Server": {"nginx"}, "Content-Type": {"text/html"}},
		Body:   "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
		Note:   "nginx: 502 Bad Gateway",
	},
	{
		Name:   "Cloudflare 502",
		Status: http.StatusBadGateway,
		Header: http.Header{"Server": {"cloudflare"}, "Content-Type": {"text/html; charset=UTF-8"}, "Cf-Ray": {"8e7a1b2c3d4e5f60-AMS"}},
		Body:   cloudflare502,
		Note:   "cloudflare: gw.example.com | 502: Bad gateway",
	},
	{
		Name:   "Envoy 503",
		Status: http.StatusServiceUnavailable,
		Header: http.Header{"Server": {"envoy"}, "Content-Type": {"text/plain"}},
		Body:   "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111",
		Note:   "envoy: upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111",
	},
	{
		// An AWS load balancer's page has no text beyond its title.
		Name:   "AWS ALB 504",
		Status: http.StatusGatewayTimeout,
		Header: http.Header{"Server": {"awselb/2.0"}, "Content-Type": {"text/html"}},
		Body:   "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n",
		Note:   "awselb/2.0: 504 Gateway Time-out",
	},
	{
		Name:   "empty 502",
		Status: http.StatusBadGateway,
		Header: http.Header{"Server": {"cloudflare"}},
		Note:   "cloudflare: empty body",
	},
	{
		// A gateway that writes a terminal's colours into its text.
		Name:   "plain text with escapes",
		Status: http.StatusInternalServerError,
		Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:   "\x1b[31mupstream\x1b[0m failed:\r\n\tno healthy\x07 backend\n\n",
		Note:   "upstream failed: no healthy backend",
	},
}

// NewProxy starts a server that answers every request with a, and returns
// its URL. It stops when t ends.
func NewProxy(t testing.TB, a ProxyAnswer) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range a.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(a.Status)
		strings.NewReader(a.Body).WriteTo(w)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
