//! State commands and files, end to end through the binary.
