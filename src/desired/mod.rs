//! The desired state: expansion of modules, `count` and `for_each`, evaluation of every block in
//! dependency order, and the graph of resource instances. No I/O except through a reader it is given.
