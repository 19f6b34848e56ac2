"""The test suite; its folders mirror the product's rooms (imported as `tests.<room>.<module>`)."""
