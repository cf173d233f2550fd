"""The catalogue page and the procedure page."""

import pytest
from django.urls import NoReverseMatch, reverse

from motcua.portal.views.catalog import format_vnd

pytestmark = pytest.mark.django_db


def test_money_is_written_the_vietnamese_way():
    assert format_vnd(1500000) == "1.500.000 đ"
    assert format_vnd(0) == "Miễn phí"


def test_catalogue_page_searches_and_filters(client, seeded):
    response = client.get(reverse("portal:catalog"), {"q": "sao y giay to"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chứng thực bản sao từ bản chính" in html
    assert '<label for="catalog-q">' in html
    response = client.get(reverse("portal:catalog"), {"online": "full", "field": "HO-TICH"})
    assert "Đăng ký khai sinh" in response.content.decode()
    response = client.get(reverse("portal:catalog"), {"online": "bogus"})
    assert response.status_code == 200 and "Bộ lọc chưa đúng" in response.content.decode()


def test_procedure_page_before_you_start(client, seeded):
    response = client.get(reverse("portal:procedure", args=["1.001193"]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Trước khi bắt đầu",
        "Ai được nộp",
        "Miễn phí",
        "khoảng 1 ngày làm việc",
        "Giấy tờ cần nộp",
        "Căn cứ pháp lý",
        "Luật Hộ tịch",
        "Cơ sở dữ liệu hộ tịch điện tử",
        "làm toàn bộ trên mạng",
    ):
        assert text in html, text
    try:
        reverse("portal:apply", kwargs={"code": "1.001193"})
    except NoReverseMatch:
        assert "Nộp hồ sơ trực tuyến: chức năng đang được hoàn thiện" in html
    else:
        assert "Nộp hồ sơ trực tuyến</a>" in html


def test_fee_in_dong_and_unknown_procedure(client, seeded):
    html = client.get(reverse("portal:procedure", args=["3.000333"])).content.decode()
    assert "200.000 đ" in html and "khoảng 10 ngày làm việc" in html
    assert client.get(reverse("portal:procedure", args=["9.999999"])).status_code == 404


def test_home_page_has_the_search_box(client, db):
    html = client.get(reverse("portal:home")).content.decode()
    assert 'action="/thu-tuc/"' in html and 'name="q"' in html


def test_the_agency_filter_offers_every_ward_and_filters_by_one(client, seeded):
    from motcua.catalog.selectors import commune_unit_codes
    from motcua.directory.models import Agency

    units = commune_unit_codes()
    assert len(units) == 168
    html = client.get(reverse("portal:catalog")).content.decode()
    assert '<optgroup label="Phường, xã, đặc khu">' in html
    assert '<optgroup label="Sở, ban, ngành và cơ quan cấp Thành phố">' in html
    for code in units:
        assert f'<option value="{code}"' in html, code
    ward = Agency.objects.get(name="Phường Bến Thành")
    response = client.get(reverse("portal:catalog"), {"agency": ward.code, "q": "khai sinh"})
    html = response.content.decode()
    assert f'<option value="{ward.code}" selected>Phường Bến Thành</option>' in html
    assert "Đăng ký khai sinh</a>" in html
    assert f"/thu-tuc/1.001193/?agency={ward.code}" in html
    # A department's procedure is not performed at a ward.
    assert (
        "Cấp giấy phép lao động cho người lao động nước ngoài"
        not in client.get(
            reverse("portal:catalog"), {"agency": ward.code, "page_size": 100, "q": "giay phep lao dong"}
        ).content.decode()
    )
    from motcua.catalog.models import ProcedureVersion

    all_communes = ProcedureVersion.objects.filter(status="active", all_commune_units=True).count()
    assert all_communes >= 40
    everywhere = client.get(reverse("portal:catalog"), {"agency": ward.code}).content.decode()
    heading = everywhere.split('id="results-heading"', 1)[1].split("</h2>", 1)[0]
    assert " ".join(heading.split()) == f'aria-live="polite"> {all_communes} thủ tục'
