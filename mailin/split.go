package mailin

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"accord/mailin/mimecheck"
)

// errReadWhole says a message is for enmime to read whole after all.
var errReadWhole = errors.New("mailin: the message is read whole")

// readSplit reads a message whose parts mimecheck.Split has found, as
// p.ReadEnvelope would read it whole: each leaf part is parsed by enmime
// on its own (its header and body, as a message of one part), each
// multipart from its header with no parts, and the tree is joined as
// enmime joins it, part ids and all, before enmime makes the envelope of
// it. enmime reads a multipart's body byte by byte for every level of
// nesting; a leaf read on its own is read in blocks. A part enmime finds
// fault with is reported with its place in the message, which a part read
// on its own does not know: readSplit then returns errReadWhole.
func readSplit(p *enmime.Parser, root *mimecheck.Node) (*enmime.Envelope, error) {
	part, err := readNode(p, root, "0")
	if err != nil {
		return nil, err
	}
	return p.EnvelopeFromPart(part)
}

// readNode reads n, whose part id is id (for the top level, "0").
func readNode(p *enmime.Parser, n *mimecheck.Node, id string) (*enmime.Part, error) {
	top := id == "0"
	body := io.Reader(bytes.NewReader(n.Body))
	if n.Boundary != "" {
		body = strings.NewReader("--" + n.Boundary + "--\r\n")
	}
	part, err := p.ReadParts(io.MultiReader(bytes.NewReader(n.Header), body))
	if err != nil {
		return nil, err
	}
	if len(part.Errors) > 0 {
		return nil, errReadWhole
	}
	part.PartID = id
	if n.Boundary == "" {
		return part, nil
	}
	for i, c := range n.Children {
		cid := strconv.Itoa(i + 1)
		if !top {
			cid = id + "." + cid
		}
		child, err := readNode(p, c, cid)
		if err != nil {
			return nil, err
		}
		part.AddChild(child)
	}
	if !top {
		// enmime marks the root of a nested multipart so.
		part.PartID += ".0"
	}
	return part, nil
}
