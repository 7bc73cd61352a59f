-- Each request carries a parameter the list doesn't know, which it answers
-- without its page cache: every page is built from the database. (The total
-- stays cached: every page of the same filters shares it.)
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "nocache=" .. id .. "-" .. counter .. "-" .. os.time())
end
