locals {
  a = [
    {
      b = [
        1,
      ]}]
  c = merge({
    d = 1
  }, {
    e = 2
  })
}
