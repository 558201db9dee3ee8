locals {
  short = 1
  # a comment line breaks the run
  much_longer_name = 2
  x                = 3
}
