package documents

import (
	"bytes"
	"net/http"
	"strings"
)

// sniffLen is how much of an upload is read to tell its type: enough for the
// first entries of an Office or ODF zip.
const sniffLen = 8 << 10

// The content types a document may have.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeText = "text/plain; charset=utf-8"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Sniff tells the content type of a file from its first bytes (up to 8 KiB),
// never from its name or what the client said, and whether it is one a
// document may have: PDF, PNG, JPEG, plain text, ODF text and spreadsheet,
// Word and Excel (OOXML).
func Sniff(head []byte) (contentType string, allowed bool) {
	ct := http.DetectContentType(head)
	switch {
	case ct == TypePDF, ct == TypePNG, ct == TypeJPEG:
		return ct, true
	case strings.HasPrefix(ct, "text/plain"):
		if !strings.Contains(ct, "utf-8") {
			return ct, false // UTF-16 and other encodings: refused rather than misread
		}
		return TypeText, true
	case ct == "application/zip":
		return sniffZip(head)
	}
	return ct, false
}

// sniffZip tells ODF from OOXML from any other zip. An ODF file starts with
// an uncompressed "mimetype" entry holding its type; an OOXML file has a
// [Content_Types].xml entry and its parts under word/ or xl/.
func sniffZip(head []byte) (string, bool) {
	if len(head) > 38 && string(head[30:38]) == "mimetype" {
		rest := head[38:]
		for _, ct := range []string{TypeODT, TypeODS} {
			if bytes.HasPrefix(rest, []byte(ct)) && !bytes.HasPrefix(rest, []byte(ct+"-")) {
				return ct, true
			}
		}
		return "application/zip", false
	}
	if bytes.Contains(head, []byte("[Content_Types].xml")) {
		switch {
		case bytes.Contains(head, []byte("word/")):
			return TypeDOCX, true
		case bytes.Contains(head, []byte("xl/")):
			return TypeXLSX, true
		}
	}
	return "application/zip", false
}
