package index

import (
	"io/fs"
	"syscall"
)

// CtimeNS is the change time of the inode fi describes (Lstat's or Stat's),
// in ns since the epoch, as the index records it (db.CodeFile.CtimeNS):
// set by every write, chmod, link or rename, and by setting the mtime, and
// never set back by anyone but the kernel.
func CtimeNS(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}
