# src/rsync
