"""Chinese names for the demo company, with pinyin for e-mail addresses.

Surname weights are approximate shares per ten thousand people of the most common
surnames in mainland China (2020 census order). Given names are either one of the
common given names of people born 1970–2000 (weighted by rough frequency) or two
characters composed from common first and second characters. Every character here
has one everyday reading, so the pinyin is unambiguous.
"""

from __future__ import annotations

# (surname, pinyin, weight)
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("王", "wang", 712), ("李", "li", 700), ("张", "zhang", 674), ("刘", "liu", 538),
    ("陈", "chen", 453), ("杨", "yang", 308), ("黄", "huang", 223), ("赵", "zhao", 229),
    ("吴", "wu", 205), ("周", "zhou", 198), ("徐", "xu", 167), ("孙", "sun", 154),
    ("马", "ma", 129), ("朱", "zhu", 128), ("胡", "hu", 116), ("郭", "guo", 112),
    ("何", "he", 106), ("林", "lin", 101), ("高", "gao", 100), ("罗", "luo", 95),
    ("郑", "zheng", 88), ("梁", "liang", 84), ("谢", "xie", 72), ("宋", "song", 69),
    ("唐", "tang", 68), ("许", "xu", 64), ("韩", "han", 62), ("冯", "feng", 61),
    ("邓", "deng", 60), ("曹", "cao", 59), ("彭", "peng", 55), ("曾", "zeng", 54),
    ("肖", "xiao", 53), ("田", "tian", 52), ("董", "dong", 51), ("袁", "yuan", 49),
    ("潘", "pan", 47), ("于", "yu", 46), ("蒋", "jiang", 46), ("蔡", "cai", 45),
    ("余", "yu", 44), ("杜", "du", 43), ("叶", "ye", 43), ("程", "cheng", 42),
    ("苏", "su", 40), ("魏", "wei", 40), ("吕", "lyu", 38), ("丁", "ding", 38),
    ("任", "ren", 37), ("沈", "shen", 36), ("姚", "yao", 35), ("卢", "lu", 35),
    ("姜", "jiang", 34), ("崔", "cui", 33), ("钟", "zhong", 33), ("谭", "tan", 32),
    ("陆", "lu", 31), ("汪", "wang", 30), ("范", "fan", 30), ("金", "jin", 29),
    ("石", "shi", 29), ("廖", "liao", 28), ("贾", "jia", 28), ("夏", "xia", 27),
    ("韦", "wei", 27), ("付", "fu", 26), ("方", "fang", 26), ("白", "bai", 25),
    ("邹", "zou", 25), ("孟", "meng", 24), ("熊", "xiong", 24), ("秦", "qin", 23),
    ("邱", "qiu", 23), ("江", "jiang", 22), ("尹", "yin", 22), ("薛", "xue", 21),
    ("闫", "yan", 21), ("段", "duan", 20), ("雷", "lei", 20), ("侯", "hou", 19),
    ("龙", "long", 19), ("史", "shi", 19), ("陶", "tao", 18), ("黎", "li", 18),
    ("贺", "he", 17), ("顾", "gu", 17), ("毛", "mao", 16), ("郝", "hao", 16),
    ("龚", "gong", 15), ("邵", "shao", 15), ("万", "wan", 14), ("钱", "qian", 14),
    ("严", "yan", 13), ("覃", "qin", 13), ("武", "wu", 13), ("戴", "dai", 12),
    ("莫", "mo", 12), ("孔", "kong", 11), ("向", "xiang", 11), ("汤", "tang", 11),
)  # fmt: skip

# (given name, pinyin, weight): the given names most often borne by working adults.
COMMON_GIVEN_NAMES: tuple[tuple[str, str, int], ...] = (
    ("伟", "wei", 30), ("芳", "fang", 27), ("娜", "na", 24), ("敏", "min", 23),
    ("静", "jing", 23), ("丽", "li", 20), ("强", "qiang", 20), ("磊", "lei", 19),
    ("军", "jun", 19), ("洋", "yang", 18), ("勇", "yong", 18), ("艳", "yan", 17),
    ("杰", "jie", 17), ("娟", "juan", 16), ("涛", "tao", 16), ("明", "ming", 15),
    ("超", "chao", 15), ("秀英", "xiuying", 14), ("霞", "xia", 14), ("平", "ping", 13),
    ("刚", "gang", 13), ("桂英", "guiying", 12), ("婷", "ting", 12), ("斌", "bin", 12),
    ("鹏", "peng", 12), ("辉", "hui", 12), ("玲", "ling", 11), ("晶", "jing", 11),
    ("浩", "hao", 11), ("凯", "kai", 11), ("健", "jian", 10), ("俊", "jun", 10),
    ("帅", "shuai", 9), ("雪", "xue", 9), ("慧", "hui", 9), ("颖", "ying", 9),
    ("倩", "qian", 9), ("亮", "liang", 8), ("波", "bo", 8), ("丹", "dan", 8),
    ("萍", "ping", 8), ("红", "hong", 8), ("峰", "feng", 8), ("鑫", "xin", 8),
    ("建华", "jianhua", 8), ("志强", "zhiqiang", 8), ("海燕", "haiyan", 7),
    ("晓东", "xiaodong", 7), ("建国", "jianguo", 7), ("建军", "jianjun", 7),
    ("丽娟", "lijuan", 6), ("文静", "wenjing", 6), ("俊杰", "junjie", 6),
    ("海涛", "haitao", 6), ("红梅", "hongmei", 6), ("志伟", "zhiwei", 6),
    ("晓明", "xiaoming", 6), ("婷婷", "tingting", 6), ("丹丹", "dandan", 5),
    ("鹏飞", "pengfei", 5), ("志刚", "zhigang", 5), ("晓燕", "xiaoyan", 5),
    ("国强", "guoqiang", 5), ("春梅", "chunmei", 5), ("宏伟", "hongwei", 5),
    ("立新", "lixin", 4), ("振华", "zhenhua", 4), ("明辉", "minghui", 4),
    ("晓峰", "xiaofeng", 4), ("旭东", "xudong", 4), ("文杰", "wenjie", 4),
    ("亚楠", "yanan", 4), ("佳琪", "jiaqi", 4), ("思琪", "siqi", 4),
    ("雅婷", "yating", 4), ("宇航", "yuhang", 3), ("博文", "bowen", 3),
    ("家豪", "jiahao", 3), ("欣怡", "xinyi", 3), ("浩然", "haoran", 3),
)  # fmt: skip

GIVEN_FIRST: tuple[tuple[str, str], ...] = (
    ("子", "zi"), ("梓", "zi"), ("浩", "hao"), ("宇", "yu"), ("思", "si"), ("欣", "xin"),
    ("佳", "jia"), ("嘉", "jia"), ("俊", "jun"), ("文", "wen"), ("晓", "xiao"), ("雨", "yu"),
    ("志", "zhi"), ("建", "jian"), ("海", "hai"), ("明", "ming"), ("立", "li"), ("一", "yi"),
    ("天", "tian"), ("雅", "ya"), ("诗", "shi"), ("晨", "chen"), ("泽", "ze"), ("博", "bo"),
    ("家", "jia"), ("若", "ruo"), ("逸", "yi"), ("静", "jing"), ("春", "chun"), ("永", "yong"),
    ("国", "guo"), ("红", "hong"), ("丽", "li"), ("玉", "yu"), ("新", "xin"), ("少", "shao"),
    ("书", "shu"), ("可", "ke"), ("锦", "jin"), ("云", "yun"),
)  # fmt: skip

GIVEN_SECOND: tuple[tuple[str, str], ...] = (
    ("轩", "xuan"), ("涵", "han"), ("然", "ran"), ("怡", "yi"), ("远", "yuan"), ("博", "bo"),
    ("杰", "jie"), ("东", "dong"), ("婷", "ting"), ("强", "qiang"), ("华", "hua"), ("燕", "yan"),
    ("新", "xin"), ("鸣", "ming"), ("宇", "yu"), ("阳", "yang"), ("琪", "qi"), ("豪", "hao"),
    ("霖", "lin"), ("萱", "xuan"), ("辰", "chen"), ("睿", "rui"), ("航", "hang"), ("瑶", "yao"),
    ("洁", "jie"), ("峰", "feng"), ("军", "jun"), ("伟", "wei"), ("敏", "min"), ("磊", "lei"),
    ("晴", "qing"), ("宁", "ning"), ("凡", "fan"), ("彤", "tong"), ("岩", "yan"), ("楠", "nan"),
    ("帆", "fan"), ("翔", "xiang"), ("琳", "lin"), ("悦", "yue"),
)  # fmt: skip

# Sales areas (大区) with their cities: (code, name, [(city code, city name), ...]).
# A city listed twice gets two teams before the smaller cities get their first.
AREAS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("east", "华东", (("sh", "上海"), ("sh", "上海"), ("hz", "杭州"), ("nj", "南京"),
                      ("su", "苏州"), ("nb", "宁波"), ("hf", "合肥"), ("wx", "无锡"))),
    ("south", "华南", (("sz", "深圳"), ("gz", "广州"), ("sz", "深圳"), ("dg", "东莞"),
                       ("fs", "佛山"), ("xm", "厦门"), ("fz", "福州"), ("nn", "南宁"))),
    ("north", "华北", (("bj", "北京"), ("bj", "北京"), ("tj", "天津"), ("jn", "济南"),
                       ("qd", "青岛"), ("sjz", "石家庄"), ("ty", "太原"), ("hhht", "呼和浩特"))),
    ("central", "华中", (("wh", "武汉"), ("cs", "长沙"), ("zz", "郑州"), ("nc", "南昌"),
                         ("yc", "宜昌"), ("ly", "洛阳"))),
    ("southwest", "西南", (("cd", "成都"), ("cq", "重庆"), ("km", "昆明"), ("gy", "贵阳"),
                           ("my", "绵阳"))),
    ("northwest", "西北", (("xa", "西安"), ("lz", "兰州"), ("xn", "西宁"), ("nx", "银川"),
                           ("wlmq", "乌鲁木齐"))),
    ("northeast", "东北", (("sy", "沈阳"), ("dl", "大连"), ("cc", "长春"), ("heb", "哈尔滨"))),
)  # fmt: skip

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三, 105 → 一百零五 (for team and region names)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _DIGITS[hundreds] + "百"
    if rest < 10:
        return _DIGITS[hundreds] + "百零" + _DIGITS[rest]
    tail = chinese_number(rest)
    return _DIGITS[hundreds] + "百" + ("一" + tail if rest < 20 else tail)
