//go:build !linux

package index

import "io/fs"

// CtimeNS is 0 where aiex does not read the inode's change time (it is
// built for Linux): the size and mtime alone decide there
// (db.CodeFile.CtimeNS).
func CtimeNS(fs.FileInfo) int64 { return 0 }
