package directory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/botforge/dialogd/nodes"
)

// BenchmarkFirstRun imports 2,000 of the 2,500 seeded Contacts into a
// fresh store per iteration (sfsim over loopback HTTP, pages of 2,000).
func BenchmarkFirstRun(b *testing.B) {
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			f := seedOrg(b)
			for b.Loop() {
				d := newDirectory(b, f, s.new(b), nil, 2000)
				if st, err := d.Sync(context.Background()); err != nil || st.Imported != 2000 {
					b.Fatalf("sync: %+v %v", st, err)
				}
			}
		})
	}
}

// BenchmarkLookup looks a customer up by phone (two keys: E.164 and the
// digits) in a directory of 2,000.
func BenchmarkLookup(b *testing.B) {
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			f := seedOrg(b)
			d := newDirectory(b, f, s.new(b), nil, 2000)
			if _, err := d.Sync(context.Background()); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				recs, err := d.Lookup(context.Background(), nodes.DirectoryByPhone, fmt.Sprintf("+81 3-0003-%04d", i%100), 5)
				if err != nil || len(recs) == 0 {
					b.Fatalf("lookup: %v %v", recs, err)
				}
				i++
			}
		})
	}
}
