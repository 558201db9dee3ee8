locals {
  café = "crème"
  naïve_value = 1
  ü = "ümlaut" # trailing
  plain = "x" # trailing
}
