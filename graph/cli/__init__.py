"""graph/cli"""
