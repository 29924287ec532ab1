package ctxbuild

import "testing"

// ifaceTargets are interfaces of the standard library, each implemented
// in many packages: io.Reader by dozens of types.
var ifaceTargets = []string{
	"io.Reader", "sort.Interface", "http.Handler", "net.Conn", "fs.FS", "hash.Hash",
}

// ifaceMethodTargets are methods of those interfaces, named as go doc
// names them.
var ifaceMethodTargets = []string{
	"io.Reader.Read", "sort.Interface.Less", "http.Handler.ServeHTTP", "net.Conn.Close", "fs.FS.Open", "hash.Hash.Sum",
}

// BenchmarkContext4kGoStdIface times contexts of interfaces, for a
// 4,096-token model: the lookup of their implementations.
func BenchmarkContext4kGoStdIface(b *testing.B) {
	benchIfaces(b, ifaceTargets)
}

// BenchmarkContext4kGoStdIfaceMethod is BenchmarkContext4kGoStdIface for
// the interfaces' methods.
func BenchmarkContext4kGoStdIfaceMethod(b *testing.B) {
	benchIfaces(b, ifaceMethodTargets)
}

func benchIfaces(b *testing.B, targets []string) {
	impls := 0
	n := benchContexts(b, targets, func(tg string, c *Context) {
		if c.Target == nil {
			b.Fatalf("%s: no target", tg)
		}
		for _, it := range c.Included {
			if it.Role == RoleImpl {
				impls++
			}
		}
	})
	b.ReportMetric(float64(impls)/float64(n), "impls/context")
}
