locals {
  a = [
    # first
    1, # one
    // second
    2,
    /* third */ 3,
  ]
  b = {
    # key comment
    k = "v" # trailing
  }
}
