locals {
  aaa = "line\nbreak"
  b = "quote \" inside"
  c = "100%"
  d = "cost: $5"
  e = "%%{ not a directive }"
}
