# src/scp
