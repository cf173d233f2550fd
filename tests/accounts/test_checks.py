from motcua.accounts.checks import development_registry_key_in_use


def test_deploy_check_refuses_the_development_registry_key(settings):
    assert [m.id for m in development_registry_key_in_use()] == ["accounts.E001"]
    settings.BUSINESS_REGISTRY_API_KEY = "a-real-key-from-the-registry"
    assert development_registry_key_in_use() == []
