/* <ctype.h>: character classes of the C locale (ASCII); every other
 * value, EOF included, is in no class, and tolower/toupper return it
 * unchanged. */
#ifndef _RT_CTYPE_H
#define _RT_CTYPE_H

#ifdef __cplusplus
extern "C" {
#endif

int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#ifdef __cplusplus
}
#endif

#endif /* _RT_CTYPE_H */
