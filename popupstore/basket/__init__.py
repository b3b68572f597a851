"""The basket, checkout, receipts and QR codes."""
