# src/vfs
