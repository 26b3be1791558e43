def test_probe():
    import expectations
    print(expectations.__file__)
    import expectations.validation
