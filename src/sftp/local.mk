# src/sftp
