package mimecheck

import (
	"maps"
	"slices"
	"sync"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// A message's Content-Type and Content-Disposition values are parsed
// several times on its way in: by Check, Trim and Split here, and by
// enmime for each part, several times over. enmime's parser runs a chain
// of repairs for mangled values before the standard library's, and that
// was about a quarter of the time a whole message took. The values repeat
// (within a message and from one message to the next), and the parse
// depends on nothing but the value, so results are remembered.

// mediaTypeCacheSize bounds the remembered values; past it the memory
// starts over, so a stream of unique values costs no more than no memory.
const mediaTypeCacheSize = 1024

type parsedType struct {
	mtype   string
	params  map[string]string
	invalid []string
	err     error
}

var mediaTypes = struct {
	sync.Mutex
	m map[string]parsedType
}{m: map[string]parsedType{}}

// MediaType parses a Content-Type or Content-Disposition value exactly as
// enmime's mediatype.Parse does, remembering recent results. The params
// map and the invalid slice are the caller's own, to change as it likes.
func MediaType(v string) (mtype string, params map[string]string, invalid []string, err error) {
	mediaTypes.Lock()
	r, ok := mediaTypes.m[v]
	mediaTypes.Unlock()
	if !ok {
		r.mtype, r.params, r.invalid, r.err = mediatype.Parse(v)
		mediaTypes.Lock()
		if len(mediaTypes.m) >= mediaTypeCacheSize {
			clear(mediaTypes.m)
		}
		mediaTypes.m[v] = r
		mediaTypes.Unlock()
	}
	if r.params != nil {
		params = maps.Clone(r.params)
	}
	return r.mtype, params, slices.Clone(r.invalid), r.err
}
