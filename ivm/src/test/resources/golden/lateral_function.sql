SELECT e.id, x.v FROM emp e, LATERAL unnest(ARRAY[e.tag, 'z']) AS x(v)
