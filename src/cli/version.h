/* cboxlab's version: the one place it is written. The Makefile reads it
 * from here for the man pages. */
#ifndef CBX_CLI_VERSION_H
#define CBX_CLI_VERSION_H

#define CBOXLAB_VERSION "0.1.0"

#endif
