"""Sample answers in the documented upstream shapes (invented text)."""

EM_ROLLING = """{"records":[
 {"id":"202403133009961234","infoCode":"NW202403133009961234","title":"示例银行：拟回购不超过5亿元股份",
  "digest":"【示例银行：拟回购不超过5亿元股份】示例银行公告称，拟以集中竞价方式回购股份。",
  "showtime":"2024-03-13 09:30:00","url_w":"http://finance.eastmoney.com/a/202403133009961234.html"},
 {"id":202403133009961235,"infoCode":"NW202403133009961235","title":"",
  "digest":"【央行：开展逆回购操作】央行今日开展1000亿元7天期逆回购操作。",
  "showtime":"2024-03-13 09:20:00","url_w":""}
]}"""

EM_MEDIA = """{"nodeList":[
 {"infocode":"NW202203010000000001","title":"新区一季度重点项目建设提速","showtime":"2022-03-01 09:30:00",
  "from":"示例日报","simtitle":"新区一季度重点项目建设提速","simdigest":"新区今年计划开工项目四十个。"}
]}"""

EM_MARKET = """{"record":[
 {"infoCode":"NW202203010000000002","title":"半导体板块午后走强","datetime":"2022-03-01 13:05:00",
  "medianame":"21世纪经济报道 21财经APP"}
]}"""

EM_FAST = """{"code":"1","message":"success","data":{"fastNewsList":[
 {"code":"202403133009961299","title":"沪指午后翻红","summary":"沪指午后翻红，<b>半导体</b>板块走强。",
  "showTime":"2024-03-13 13:10:05","stockList":["1.600519","116.00700"]}
],"total":1,"size":1,"sortEnd":"202403133009961299"}}"""

EM_COLUMNS = """{"code":"1","data":{"list":[
 {"code":"202403133009961300","title":"财经早餐：3月13日","summary":"隔夜美股收涨。",
  "showTime":"2024-03-13 07:00:00","mediaName":"东方财富研究中心","image":"","url":"",
  "uniqueUrl":"http://finance.eastmoney.com/a/202403133009961300.html","Np_dst":""}
]}}"""

SINA_ZHIBO = """try{jsonp_1({"result":{"status":{"code":0},"data":{"feed":{"list":[
 {"id":3012345,"zhibo_id":152,"rich_text":"【证监会：强化上市公司监管】证监会表示将从严打击财务造假。",
  "create_time":"2024-03-13 10:01:02","creator":"x@example.com","docurl":"",
  "tag":[{"id":"10","name":"A股"},{"id":"3","name":"公司"}],"ext":"{\\"docurl\\":\\"\\"}"}
]}}}});}catch(e){};"""

THS_724 = """{"code":"200","data":{"list":[
 {"id":"614402","seq":"614402","title":"储能板块异动拉升","digest":"储能板块午后异动拉升。",
  "url":"https://news.10jqka.com.cn/20240313/c614402.shtml","ctime":"1710300000","rtime":"1710300060",
  "source":"同花顺","tags":[{"name":"A股"}]}
]}}"""
