"""graph/synth"""
