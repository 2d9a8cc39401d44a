package meterdata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlSink receives the events of a streaming XML reader: element starts
// (local name only; namespaces are not resolved), link attributes,
// character data (entity references already decoded) and element ends.
// The ESPI builder implements it; so does the encoding/xml reference in
// the tests.
type xmlSink interface {
	start(local []byte) (wantLink bool, err error)
	link(rel, href string)
	text(b []byte) error
	end() error
}

// Limits that keep hostile input from exhausting memory.
const (
	maxDepth     = 256
	maxTokenSize = 16 << 20 // longest tag, comment or text run
	chunkSize    = 256 << 10
)

// scanXML reads a well-formed XML document from r and feeds sink. It
// accepts the XML declaration, processing instructions, comments and
// CDATA sections, refuses any <!DOCTYPE> or other markup declaration (so
// no DTD is read and no entity is ever defined or expanded) and decodes
// only the predefined entities and character references.
func scanXML(r io.Reader, sink xmlSink) error {
	s := &xmlScanner{r: r, buf: make([]byte, 0, chunkSize), sink: sink}
	return s.run()
}

type xmlScanner struct {
	r     io.Reader
	buf   []byte // unread input is buf[pos:]
	pos   int
	base  int64 // input offset of buf[0]
	eof   bool
	rerr  error
	sink  xmlSink
	names []byte // open element names, concatenated
	ends  []int  // end offset of each open name in names
	root  bool   // the root element has been seen
	tmp   []byte // scratch for decoded text
}

var errEOF = errors.New("unexpected end of file")

func (s *xmlScanner) errorf(format string, args ...any) error {
	return invalid("meterdata.ParseESPI", "XML at byte %d: %s", s.base+int64(s.pos), fmt.Sprintf(format, args...))
}

// more reads more input, keeping buf[pos:]. It reports false at the end
// of the input.
func (s *xmlScanner) more() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.base += int64(s.pos)
		s.buf, s.pos = s.buf[:n], 0
	}
	if len(s.buf) >= maxTokenSize {
		s.rerr = errors.New("a tag, comment or text run longer than 16 MiB")
		s.eof = true
		return false
	}
	if cap(s.buf)-len(s.buf) < chunkSize/2 {
		nb := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(nb, s.buf)
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// find returns the index (relative to pos) of sep in the unread input,
// reading more as needed; -1 at the end of the input.
func (s *xmlScanner) find(sep []byte, from int) int {
	for {
		if i := bytes.Index(s.buf[s.pos+from:], sep); i >= 0 {
			return from + i
		}
		from = max(0, len(s.buf)-s.pos-len(sep)+1)
		if !s.more() {
			return -1
		}
	}
}

func (s *xmlScanner) run() error {
	if !s.more() && s.rerr == nil {
		return s.errorf("the file is empty")
	}
	if bytes.HasPrefix(s.buf, utf8BOM) {
		s.pos = len(utf8BOM)
	}
	for {
		i := bytes.IndexByte(s.buf[s.pos:], '<')
		if i < 0 {
			// Text up to the end of the buffer: read on until a '<' or EOF
			// so that a text run is always delivered whole.
			i = s.find([]byte{'<'}, len(s.buf)-s.pos)
			if i < 0 {
				if s.rerr != nil {
					return s.errorf("%v", s.rerr)
				}
				if err := s.chars(s.buf[s.pos:]); err != nil {
					return err
				}
				s.pos = len(s.buf)
				break
			}
		}
		if i > 0 {
			if err := s.chars(s.buf[s.pos : s.pos+i]); err != nil {
				return err
			}
			s.pos += i
		}
		if err := s.markup(); err != nil {
			return err
		}
	}
	if len(s.ends) > 0 {
		return s.errorf("unexpected end of file inside <%s>", s.top())
	}
	if !s.root {
		return s.errorf("no root element")
	}
	return nil
}

func (s *xmlScanner) top() []byte {
	from := 0
	if n := len(s.ends); n > 1 {
		from = s.ends[n-2]
	}
	return s.names[from:s.ends[len(s.ends)-1]]
}

// chars handles a text run (entity references not yet decoded).
func (s *xmlScanner) chars(b []byte) error {
	if len(s.ends) == 0 {
		if len(bytes.TrimLeft(b, " \t\r\n")) > 0 {
			return s.errorf("text outside the root element")
		}
		return nil
	}
	if bytes.IndexByte(b, '&') >= 0 {
		var err error
		if s.tmp, err = unescape(s.tmp[:0], b); err != nil {
			return s.errorf("%v", err)
		}
		b = s.tmp
	}
	if err := s.sink.text(b); err != nil {
		return err
	}
	return nil
}

// markup handles the construct at buf[pos] == '<'.
func (s *xmlScanner) markup() error {
	for len(s.buf)-s.pos < 9 && s.more() {
	}
	rest := s.buf[s.pos:]
	switch {
	case len(rest) >= 2 && rest[1] == '/':
		j := s.tagClose(2)
		if j < 0 {
			return s.eofErr()
		}
		name := trimSpaceRight(s.buf[s.pos+2 : s.pos+j])
		if len(s.ends) == 0 || !bytes.Equal(name, s.top()) {
			return s.errorf("unexpected </%s>", name)
		}
		s.pos += j + 1
		s.pop()
		return s.sink.end()
	case len(rest) >= 2 && rest[1] == '?':
		j := s.find([]byte("?>"), 2)
		if j < 0 {
			return s.eofErr()
		}
		s.pos += j + 2
		return nil
	case bytes.HasPrefix(rest, []byte("<!--")):
		j := s.find([]byte("-->"), 4)
		if j < 0 {
			return s.eofErr()
		}
		s.pos += j + 3
		return nil
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		if len(s.ends) == 0 {
			return s.errorf("CDATA outside the root element")
		}
		j := s.find([]byte("]]>"), 9)
		if j < 0 {
			return s.eofErr()
		}
		err := s.sink.text(s.buf[s.pos+9 : s.pos+j])
		s.pos += j + 3
		return err
	case len(rest) >= 2 && rest[1] == '!':
		return s.errorf("DOCTYPE and other declarations are not accepted (no DTDs or entity definitions)")
	}
	return s.startTag()
}

// tagClose returns the index (relative to pos) of the first '>' at or
// after from: in the buffer when it is there (the common case), else
// reading on.
func (s *xmlScanner) tagClose(from int) int {
	if k := bytes.IndexByte(s.buf[s.pos+from:], '>'); k >= 0 {
		return from + k
	}
	return s.find([]byte{'>'}, from)
}

func (s *xmlScanner) eofErr() error {
	if s.rerr != nil {
		return s.errorf("%v", s.rerr)
	}
	return s.errorf("%v", errEOF)
}

// startTag handles <name attr="…" …> and <name …/>.
func (s *xmlScanner) startTag() error {
	j := s.tagClose(1)
	if j < 0 {
		return s.eofErr()
	}
	// One pass over the (short) tag finds the end of the name and any
	// quote: a quoted attribute value may hold '>', so then find the
	// real end.
	n := -1
	for i, c := range s.buf[s.pos+1 : s.pos+j] {
		if c == '"' || c == '\'' {
			if j = s.tagEnd(); j < 0 {
				return s.eofErr()
			}
			break
		}
		if n < 0 && isSpace(c) {
			n = i
		}
	}
	tag := s.buf[s.pos+1 : s.pos+j]
	self := len(tag) > 0 && tag[len(tag)-1] == '/'
	if self {
		tag = tag[:len(tag)-1]
	}
	if n < 0 || n > len(tag) {
		n = 0
		for n < len(tag) && !isSpace(tag[n]) {
			n++
		}
	}
	name, attrs := tag[:n], tag[n:]
	if !validName(name) {
		return s.errorf("bad element name %q", name)
	}
	if len(s.ends) == 0 && s.root {
		return s.errorf("a second root element <%s>", name)
	}
	if len(s.ends) >= maxDepth {
		return s.errorf("elements nested deeper than %d", maxDepth)
	}
	s.root = true
	local := name
	if k := bytes.LastIndexByte(name, ':'); k >= 0 {
		local = name[k+1:]
	}
	wantLink, err := s.sink.start(local)
	if err != nil {
		return err
	}
	if wantLink {
		rel, href, err := linkAttrs(attrs)
		if err != nil {
			return s.errorf("%v", err)
		}
		s.sink.link(rel, href)
	}
	s.names = append(s.names, name...)
	s.ends = append(s.ends, len(s.names))
	s.pos += j + 1
	if self {
		s.pop()
		return s.sink.end()
	}
	return nil
}

// tagEnd finds the '>' closing the tag at pos, outside quotes.
func (s *xmlScanner) tagEnd() int {
	var quote byte
	for i := 1; ; i++ {
		for s.pos+i >= len(s.buf) {
			if !s.more() {
				return -1
			}
		}
		c := s.buf[s.pos+i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
}

func (s *xmlScanner) pop() {
	s.ends = s.ends[:len(s.ends)-1]
	if n := len(s.ends); n > 0 {
		s.names = s.names[:s.ends[n-1]]
	} else {
		s.names = s.names[:0]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// validName checks an XML name loosely: a letter, '_', ':' or non-ASCII
// byte first, then no space, quote, '=', '<', '>' or '/'.
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	c := b[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80) {
		return false
	}
	ascii := c < 0x80
	for _, c := range b[1:] {
		switch c {
		case ' ', '\t', '\r', '\n', '"', '\'', '=', '<', '>', '/', '&':
			return false
		}
		ascii = ascii && c < 0x80
	}
	return ascii || utf8.Valid(b)
}

// trimSpaceRight drops trailing XML white space.
func trimSpaceRight(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// linkAttrs reads the rel and href attributes of an Atom link.
func linkAttrs(b []byte) (rel, href string, err error) {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 {
			return rel, href, nil
		}
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 {
			return "", "", errors.New("malformed attribute in <link>")
		}
		name := bytes.TrimRight(b[:eq], " \t\r\n")
		b = bytes.TrimLeft(b[eq+1:], " \t\r\n")
		if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
			return "", "", errors.New("unquoted attribute value in <link>")
		}
		q := b[0]
		end := bytes.IndexByte(b[1:], q)
		if end < 0 {
			return "", "", errors.New("unterminated attribute value in <link>")
		}
		raw := b[1 : 1+end]
		b = b[end+2:]
		if len(b) > 0 && !isSpace(b[0]) {
			return "", "", errors.New("attributes in <link> must be separated by space")
		}
		if bytes.IndexByte(raw, '<') >= 0 {
			return "", "", errors.New("'<' in an attribute value")
		}
		val, err := unescape(nil, raw)
		if err != nil {
			return "", "", err
		}
		switch string(name) {
		case "rel":
			rel = string(val)
		case "href":
			href = string(val)
		}
	}
}

// unescape appends b to dst with the predefined entities (&lt; &gt; &amp;
// &apos; &quot;) and character references decoded. Any other entity is an
// error: without a DTD none can be defined, and we read no DTD.
func unescape(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...), nil
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return nil, errors.New("'&' not starting an entity reference")
		}
		ref := string(b[1:semi])
		b = b[semi+1:]
		switch ref {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			if len(ref) < 2 || ref[0] != '#' {
				return nil, fmt.Errorf("entity &%s; is not defined (entity definitions are not accepted)", ref)
			}
			var n uint64
			var err error
			if ref[1] == 'x' {
				n, err = strconv.ParseUint(ref[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ref[1:], 10, 32)
			}
			if err != nil || n == 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
				return nil, fmt.Errorf("bad character reference &%s;", ref)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}
