#include "csv.h"

#include <errno.h>
#include <string.h>

int csv_field(FILE *f, const char *s, bool first)
{
	bool quote;

	if (s == NULL)
		s = "";
	quote = s[strcspn(s, ",\"\r\n")] != '\0';
	if ((!first && fputc(',', f) == EOF) || (quote && fputc('"', f) == EOF))
		return -EIO;
	for (; *s != '\0'; s++) {
		if ((*s == '"' && fputc('"', f) == EOF) || fputc(*s, f) == EOF)
			return -EIO;
	}
	return quote && fputc('"', f) == EOF ? -EIO : 0;
}

int csv_end(FILE *f)
{
	return fputs("\r\n", f) == EOF ? -EIO : 0;
}
