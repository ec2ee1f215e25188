/*
 * sms.h - SMS encoding and segment arithmetic.
 *
 * A text that uses only the GSM 03.38 default alphabet (and its extension
 * table, whose characters cost two septets: ^ { } \ [ ~ ] | and the euro
 * sign) is sent as GSM-7: 160 septets in one part, 153 per part when split.
 * Any other character makes the whole text UCS-2: 70 UTF-16 code units in
 * one part, 67 per part when split (a character outside the BMP takes two).
 */
#ifndef INBOX_SMS_H
#define INBOX_SMS_H

#include <stddef.h>

enum sms_encoding { SMS_GSM7, SMS_UCS2 };

struct sms_info {
	enum sms_encoding enc;
	size_t units;		/* septets (GSM-7) or UTF-16 code units */
	size_t chars;		/* code points */
	int segments;		/* 0 for an empty text */
	size_t per_segment;	/* capacity of each part: 160/153/70/67 */
};

/* Analyse UTF-8 text (must be valid UTF-8). */
void sms_analyse(const char *text, size_t n, struct sms_info *out);

/*
 * Split text into parts of at most `limit` characters each (code points),
 * breaking at the last blank before the limit when there is one.  Returns
 * the number of parts; *parts is a malloc'd array of malloc'd strings.
 */
int sms_split(const char *text, size_t limit, char ***parts);

#endif
