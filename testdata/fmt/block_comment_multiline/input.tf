/*
 * A multi-line
 *   block comment stays as written.
 */
locals {
    /* another
       spanning lines */
    a = 1
}
