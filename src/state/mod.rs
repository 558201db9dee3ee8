//! State: the model, the versioned file format, the journal, locks, backends, merge and Terraform
//! import. It must not know the cloud.
