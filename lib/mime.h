/*
 * mime.h - RFC 5322 messages and MIME (RFC 2045-2047, 2231): the parser
 * used for our own message files and for inbound email, and the writer for
 * outbound email and MMS parts.
 *
 * Parsing never recurses on input: multipart nesting is walked with an
 * explicit stack limited to MIME_MAX_DEPTH levels and MIME_MAX_PARTS parts.
 */
#ifndef INBOX_MIME_H
#define INBOX_MIME_H

#include <stddef.h>
#include "util.h"

#define MIME_MAX_DEPTH 16
#define MIME_MAX_PARTS 256

struct mail_header {
	char *name;		/* as written */
	char *value;		/* unfolded (CRLF/LF + WSP -> WSP), raw bytes */
};

struct mail {
	struct mail_header *h;
	size_t nh;
	size_t hdrlen;		/* bytes of the header block incl. blank line */
	const char *body;	/* points into the caller's buffer */
	size_t bodylen;
};

/*
 * Parse the header block of buf (LF or CRLF line ends).  The body is what
 * follows the first empty line (or nothing).  Returns 0, or -1 with an
 * error of class 65 when the input has no header at all, a header line
 * without a colon before the blank line, a NUL byte in the header, more
 * than 1000 header fields or a header line over 64 KiB.  `buf` must
 * outlive the struct.
 */
int mail_parse(struct mail *m, const char *buf, size_t len);
void mail_free(struct mail *m);
/* The value of the first header called `name` (case-insensitive) or NULL. */
const char *mail_get(const struct mail *m, const char *name);

/* Decode RFC 2047 encoded-words (UTF-8, ISO-8859-1 and US-ASCII charsets,
 * B and Q encodings) into a malloc'd UTF-8 string; undecodable words are
 * kept as written. */
char *mail_decode_header(const char *value);

/*
 * The first address of an address-list header: *name (decoded display
 * name or NULL) and *addr (addr-spec without angle brackets), malloc'd.
 * -1 when there is no address.
 */
int mail_first_addr(const char *value, char **name, char **addr);

/* A parameter of a structured header (Content-Type, Content-Disposition),
 * RFC 2231 continuations and charsets decoded; malloc'd or NULL. */
char *mail_param(const char *value, const char *param);

struct mail_part {
	char *type;		/* lowercase "text/plain" */
	char *charset;		/* lowercase or NULL */
	char *filename;		/* decoded, or NULL */
	int attachment;		/* Content-Disposition: attachment, or named */
	unsigned char *data;	/* transfer-decoded bytes (malloc'd) */
	size_t len;
};

/*
 * Walk the MIME tree of a parsed message and return its leaf parts in
 * order, transfer encodings (base64, quoted-printable, 7bit, 8bit, binary)
 * decoded.  A non-MIME message is one text/plain part.  -1 with class 65
 * on a multipart without its boundary, too deep or too many parts.
 */
int mail_parts(const struct mail *m, struct mail_part **parts, size_t *n);
void mail_parts_free(struct mail_part *parts, size_t n);

/*
 * The readable text of a message: the first text/plain part (or, failing
 * that, the first text/html part with tags stripped), converted to UTF-8
 * from ISO-8859-1 / Windows-1252 / US-ASCII when so labelled.  Malloc'd,
 * never NULL ("" when there is none).
 */
char *mail_text(const struct mail *m);

struct mail_attachment {
	const char *filename;	/* base name used in the part headers */
	const char *type;	/* e.g. "image/jpeg"; NULL: guessed from name */
	const unsigned char *data;
	size_t len;
};

/*
 * Append a MIME body to `out`: with no attachments, the headers
 * "MIME-Version", "Content-Type: text/plain; charset=utf-8" and
 * "Content-Transfer-Encoding: 8bit" then a blank line and the text;
 * with attachments a multipart/mixed whose first part is the text and the
 * rest base64 parts with filename parameters.  `boundary_seed` makes the
 * boundary unique.  Lines end in "\n" (the transport converts to CRLF).
 */
void mail_build_body(struct sb *out, const char *text,
    const struct mail_attachment *att, size_t natt,
    const char *boundary_seed);

/* MIME type guessed from a file name's extension (jpg, jpeg, png, gif,
 * pdf, txt, mp4, mov, heic, webp, ogg, mp3, wav, csv, doc(x)); else
 * "application/octet-stream". */
const char *mime_type_of(const char *filename);

/* Encode a header value with RFC 2047 when it is not plain ASCII;
 * malloc'd. */
char *mail_encode_header(const char *utf8);

#endif
