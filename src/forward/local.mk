# src/forward
