"""graph/reader"""
