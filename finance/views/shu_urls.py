"""SHU and the national data sets (finance.views.shu)."""

from django.urls import path

from . import shu

SHU = "koperasi/<int:pk>/buku/shu/"
DATA = "koperasi/<int:pk>/buku/data-nasional/"

urlpatterns = [
    path(SHU, shu.shu_page, name="shu"),
    path(f"{SHU}<int:year>/", shu.shu_page, name="shu"),
    path(f"{SHU}<int:year>/pembagian/", shu.shu_policy, name="shu_policy"),
    path(f"{SHU}<int:year>/rat/", shu.rat_record, name="rat_record"),
    path(f"{SHU}<int:year>/bagikan/", shu.shu_distribute_view, name="shu_distribute"),
    path(f"{SHU}<int:year>/shu-anggota.xlsx", shu.shu_xlsx, name="shu_xlsx"),
    path(f"{SHU}<int:year>/paket-rat.xlsx", shu.rat_package, name="rat_package"),
    path(DATA, shu.datasets, name="datasets"),
    path(f"{DATA}ods-<int:year>.xlsx", shu.ods_xlsx, name="ods_xlsx"),
    path(f"{DATA}simkopdes.xlsx", shu.simkopdes_xlsx, name="simkopdes_xlsx"),
    path("data-nasional/", shu.datasets_scope, name="datasets_scope"),
    path("data-nasional/ods/<int:year>.xlsx", shu.ods_scope, name="ods_scope"),
]
