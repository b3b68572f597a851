"""The facilitator: live overlap, tables and the wall screen."""
