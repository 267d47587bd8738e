# src/archive
