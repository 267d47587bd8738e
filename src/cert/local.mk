# src/cert
