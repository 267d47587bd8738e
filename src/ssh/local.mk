# src/ssh
