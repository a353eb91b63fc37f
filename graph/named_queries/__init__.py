"""graph/named_queries"""
